"""The service kit: commands, message bus, unit of work, repositories, fakes and the runtime every service
is built from (see docs/service-kit.md)."""
