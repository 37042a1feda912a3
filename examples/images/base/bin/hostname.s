# /bin/hostname: ringlab's own hostname (programs/user/hostname.s; the ../user/ path keeps this file from including itself)
        .include "../user/hostname.s"
