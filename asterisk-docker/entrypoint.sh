#!/bin/sh
# Start Asterisk with the configuration rendered by `cc112 asterisk render` (the `render`
# service of compose.yaml writes it into the asterisk-config volume, mounted here at
# /cc112/rendered). The image's own asterisk.conf, logger.conf and indications.conf stay.
set -eu
rendered=/cc112/rendered
if [ ! -f "$rendered/pjsip_cc112.conf" ]; then
    echo "entrypoint: no rendered configuration in $rendered (run the render service first)" >&2
    exit 1
fi
for conf in "$rendered"/*.conf; do
    install -o root -g asterisk -m 0640 "$conf" /etc/asterisk/
done
mkdir -p /var/spool/asterisk/monitor/cc112 /var/lib/asterisk/astdb
chown -R asterisk:asterisk /var/spool/asterisk /var/lib/asterisk/astdb /var/log/asterisk /var/run/asterisk
exec /usr/sbin/asterisk -f -vvv "$@"
