# /bin/false: ringlab's own false (programs/user/false.s; the ../user/ path keeps this file from including itself)
        .include "../user/false.s"
