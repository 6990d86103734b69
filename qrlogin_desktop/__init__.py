"""qrlogin-desktop: drive and test QR-code login against the 服务商-微信 provider API."""

__version__ = "0.1.0"
