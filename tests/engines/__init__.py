"""Real engines for the remote-store tests, started privately on loopback by each test session."""
