"""The bounds of a load run, one place for the command line's help and the runner's checks."""

MAX_USERS = 10_000
MAX_SPAWN_RATE = 1_000.0  # users started per second
MAX_DURATION = 3_600.0  # s
MAX_WORKERS = 32  # local Locust workers under one master
FLOW_TAGS = ("login", "register", "poll")  # the users' flows, as Locust --tags names them
FLOW_TYPE = "QRFLOW"  # the Locust request type of a whole QR flow (each step is a POST beside it)
