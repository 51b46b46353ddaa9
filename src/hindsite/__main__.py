from hindsite.cli import main

main()
