"""The local stack: a real Kafka broker, a real PostgreSQL and every built service, without Docker."""
