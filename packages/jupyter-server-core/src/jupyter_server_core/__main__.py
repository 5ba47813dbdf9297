from ._serverapp import main

main()
