# /bin/ls: ringlab's own ls (programs/user/ls.s; the ../user/ path keeps this file from including itself)
        .include "../user/ls.s"
