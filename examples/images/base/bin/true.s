# /bin/true: ringlab's own true (programs/user/true.s; the ../user/ path keeps this file from including itself)
        .include "../user/true.s"
