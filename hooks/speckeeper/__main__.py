from speckeeper.cli import entry

entry()
