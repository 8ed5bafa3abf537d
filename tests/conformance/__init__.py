"""W3C conformance suites (SPARQL 1.1 Protocol, Graph Store Protocol) run against a live server."""
