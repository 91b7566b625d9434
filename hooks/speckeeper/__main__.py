from speckeeper.launch import entry

entry()
