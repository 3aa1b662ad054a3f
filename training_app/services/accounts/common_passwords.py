"""Passwords long enough to pass the length rule that are still among the first an attacker tries."""

# Lower case; checked against the lower-cased password. Taken from the most common entries of public breach
# lists that are 10 characters or longer, plus the obvious ones for this service.
COMMON_PASSWORDS = frozenset(
    """
    1234567890 0123456789 12345678910 123456789a 1234567890a 0987654321 1111111111 0000000000 1234512345
    1q2w3e4r5t 1qaz2wsx3edc qwertyuiop qwerty1234 qwerty12345 qwerty123456 asdfghjkl1 asdfghjkl; zaq12wsxcde
    password12 password123 password1234 password12345 passw0rd123 password01 password! password1! p@ssw0rd123
    iloveyou12 iloveyou123 football12 football123 baseball12 liverpool1 liverpool123 arsenal123 chelsea123
    manchester manchesterunited princess12 sunshine12 sunshine123 superman12 superman123 starwars12 letmein123
    welcome123 welcome1234 welcome2024 welcome2025 welcome2026 changeme12 changeme123 trustno1234 abcdefghij
    abc1234567 abcd123456 a1b2c3d4e5 administrator admin12345 admin123456 adminadmin computer12 internet12
    monkey1234 dragon1234 michael123 jennifer12 jessica123 charlie123 elizabeth1 christopher nicole1234
    samantha12 thomas1234 qwertyqwerty passwordpassword 11111111111 123123123123 121212121212 aaaaaaaaaa
    summer2024 summer2025 summer2026 winter2024 winter2025 winter2026 autumn2025 spring2025 london2012
    england123 unitedkingdom safeguarding safeguarding1 training123 training2026 council123 school1234
    teacher123 children123 correcthorse correcthorsebatterystaple
    """.split()  # noqa: SIM905 (a word list reads better as words)
) | {"password password", "let me in please"}
