from hindsite.commands.cli import main

main()
