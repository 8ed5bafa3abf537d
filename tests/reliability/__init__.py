"""The reliability suite: fuzzing, faults and load against real ``cnrs-kg`` processes (see ``conftest``)."""
