# /bin/mkdir: ringlab's own mkdir (programs/user/mkdir.s; the ../user/ path keeps this file from including itself)
        .include "../user/mkdir.s"
