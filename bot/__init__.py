"""The running service: settings, command line, core flow and platform adapters."""
