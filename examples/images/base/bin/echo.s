# /bin/echo: ringlab's own echo (programs/user/echo.s; the ../user/ path keeps this file from including itself)
        .include "../user/echo.s"
