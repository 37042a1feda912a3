# /bin/sleep: ringlab's own sleep TICKS (programs/user/sleep-ticks.s)
        .include "../user/sleep-ticks.s"
