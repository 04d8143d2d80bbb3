print("learn-mp")
