# /bin/cat: ringlab's own cat (programs/user/cat.s; the ../user/ path keeps this file from including itself)
        .include "../user/cat.s"
