# /bin/wc: ringlab's own wc (programs/user/wc.s; the ../user/ path keeps this file from including itself)
        .include "../user/wc.s"
