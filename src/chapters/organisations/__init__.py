"""The organisation registry: partners, sponsors, co-hosts, case users and prospects."""
