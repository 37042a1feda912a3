# /bin/sh: ringlab's own sh (programs/user/sh.s; the ../user/ path keeps this file from including itself)
        .include "../user/sh.s"
