"""cc112-pbx: the telephony controller beside Asterisk for Call Center 112 Kota Semarang."""

__version__ = "0.1.0"
