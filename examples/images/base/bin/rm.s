# /bin/rm: ringlab's own rm (programs/user/rm.s; the ../user/ path keeps this file from including itself)
        .include "../user/rm.s"
