# /bin/mv: ringlab's own mv (programs/user/mv.s; the ../user/ path keeps this file from including itself)
        .include "../user/mv.s"
