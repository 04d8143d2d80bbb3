while true { print("y") }
