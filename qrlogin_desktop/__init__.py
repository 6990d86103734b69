"""qrlogin-desktop: drive and test QR-code login against the 服务商-微信 provider API."""

# The only place the version is written: pyproject.toml reads it ([tool.setuptools.dynamic]), the
# packaging scripts read it (packaging/build.py), and everything else imports it from here.
__version__ = "0.1.0"

# The application's one name: its config, data and cache folders, the keyring service by default,
# the name the desktop knows it by (application, .desktop file, icon), the User-Agent and HAR creator.
APP_NAME = "qrlogin-desktop"
