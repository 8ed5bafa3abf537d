"""One module per command (or group of commands) of ``cnrs-kg``; each registers on ``cli.app.app``."""
