# /bin/cp: ringlab's own cp (programs/user/cp.s; the ../user/ path keeps this file from including itself)
        .include "../user/cp.s"
