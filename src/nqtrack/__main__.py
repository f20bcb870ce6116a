from nqtrack.cli import main

main()
