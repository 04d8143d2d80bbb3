import Glibc

print("waiting forever")
while true { sleep(1) }
