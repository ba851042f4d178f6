"""asterisk-docker/: the compose file, the Asterisk 22 image and the controller image.

Docker cannot run here: these tests check that the files parse, reference only what exists
in the repository, and keep ARI/AMI private while SIP/RTP are published.
"""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from cc112_pbx.deploy.modules import module_names

from .asterisk_conf import parse_conf

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "asterisk-docker"
COMPOSE = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def bind_mounts(service: dict) -> list[tuple[str, str]]:
    mounts = []
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts.append((source, target))
    return mounts


def published_container_ports(service: dict) -> set[str]:
    ports = set()
    for entry in service.get("ports", []):
        ports.add(str(entry).rsplit(":", 1)[-1])
    return ports


def test_compose_runs_asterisk_the_controller_and_postgres():
    assert {"asterisk", "controller", "postgres", "render"} <= set(SERVICES)


def test_every_bind_mount_and_build_file_exists_in_the_repository():
    checked = 0
    for name, service in SERVICES.items():
        for source, _target in bind_mounts(service):
            assert not source.startswith("/"), f"{name}: absolute host path {source}"
            assert (DOCKER / source).resolve().exists(), f"{name}: {source} does not exist"
            checked += 1
        build = service.get("build")
        if build:
            context = (DOCKER / build["context"]).resolve()
            assert (context / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']}"
            checked += 1
    assert checked >= 6


def test_named_volumes_are_declared():
    declared = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"


def test_sip_and_rtp_are_published_but_ari_and_ami_are_not():
    asterisk = published_container_ports(SERVICES["asterisk"])
    assert {"5060/udp", "5060/tcp", "10000-10199/udp"} <= asterisk
    for service in SERVICES.values():
        for port in published_container_ports(service):
            assert not port.startswith(("8088", "5038", "5432")), port


def test_ari_ami_and_postgres_live_on_an_internal_network_the_acl_permits():
    internal = COMPOSE["networks"]["internal"]
    assert internal["internal"] is True
    subnet = ipaddress.ip_network(internal["ipam"]["config"][0]["subnet"])
    assert SERVICES["postgres"]["networks"] == ["internal"]
    render = SERVICES["render"]["command"]
    permit = ipaddress.ip_network(render[render.index("--permit") + 1])
    assert permit == subnet
    ari_url = SERVICES["controller"]["environment"]["CC112_ASTERISK_ARI_URL"]
    ari_host = re.match(r"http://([\d.]+):8088", ari_url)
    assert ari_host and ipaddress.ip_address(ari_host.group(1)) in subnet
    assert SERVICES["asterisk"]["networks"]["internal"]["ipv4_address"] == ari_host.group(1)


def test_asterisk_and_the_controller_share_recordings_and_the_rendered_secrets():
    def target(service: str, volume: str) -> str:
        return next(v.split(":")[1] for v in SERVICES[service]["volumes"] if v.startswith(volume + ":"))

    assert target("asterisk", "recordings") == target("controller", "recordings")
    recordings_dir = SERVICES["controller"]["environment"]["CC112_ASTERISK_RECORDINGS_DIR"]
    assert recordings_dir.startswith(target("controller", "recordings") + "/")
    out = SERVICES["render"]["command"][SERVICES["render"]["command"].index("--out") + 1]
    assert target("render", "asterisk-config") == out == target("asterisk", "asterisk-config")
    secret_file = SERVICES["controller"]["environment"]["CC112_ASTERISK_ARI_PASSWORD_FILE"]
    assert secret_file == f"{target('controller', 'asterisk-config')}/secrets/ari_password"


def test_the_sounds_are_mounted_where_asterisk_looks_for_cc112_prompts():
    mounts = dict(bind_mounts(SERVICES["asterisk"]))
    assert mounts["../sounds/id"] == "/var/lib/asterisk/sounds/id/cc112"
    assert mounts["../sounds/en"] == "/var/lib/asterisk/sounds/en/cc112"


def test_the_image_builds_asterisk_22_from_the_official_release_tarball_checked_by_checksum():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert re.search(r"ARG ASTERISK_VERSION=22\.\d+\.\d+", dockerfile)
    assert "https://downloads.asterisk.org/pub/telephony/asterisk/releases" in dockerfile
    assert "sha256sum -c" in dockerfile
    assert "menuselect/menuselect" in dockerfile and "/tmp/modules.txt" in dockerfile


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "controller.Dockerfile"])
def test_every_file_a_dockerfile_copies_exists(dockerfile):
    for line in (DOCKER / dockerfile).read_text().splitlines():
        if line.startswith("COPY") and "--from=" not in line:
            *sources, _dest = line.split()[1:]
            for source in sources:
                assert (REPO / source).exists(), f"{dockerfile}: COPY {source}"


def test_menuselect_enables_exactly_the_modules_modules_conf_requires():
    listed = [re.sub(r"#.*", "", line).strip() for line in (DOCKER / "modules.txt").read_text().splitlines()]
    assert [name for name in listed if name] == list(module_names())


def test_the_image_config_files_parse_and_keep_astdb_on_its_volume():
    conf = parse_conf(DOCKER / "etc" / "asterisk.conf")
    assert conf.one("directories").get("astdbdir") == "/var/lib/asterisk/astdb"
    assert any(v.endswith(":/var/lib/asterisk/astdb") for v in SERVICES["asterisk"]["volumes"])
    assert parse_conf(DOCKER / "etc" / "logger.conf").one("general").get("queue_log") == "yes"


def test_the_entrypoint_is_an_executable_valid_shell_script():
    script = DOCKER / "entrypoint.sh"
    assert os.access(script, os.X_OK)
    result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, timeout=30,
                            check=False)
    assert result.returncode == 0, result.stderr
