#!/usr/bin/env python3
"""Generate a tree of N realistic .env files for the whole-process benchmark.

Each file holds a dozen ordinary settings and two or three connection strings,
about a third of them with something `dblint --fix` fixes safely (a typo'd
sslmode, an unescaped `@` in a password, a misspelt key). Credentials are fake.
Deterministic: the same N gives the same tree.
"""
import os
import random
import sys

root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
hosts = ["db.example.com", "mydb.c9akciq32.us-east-1.rds.amazonaws.com", "ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech", "localhost", "db"]
fixable = [
    "postgresql://app@{h}/app?sslmode=required",
    "postgresql://app:p@ss{i}@{h}/app?sslmode=verify-full&sslrootcert=system",
    "postgresql://app@{h}/app?slmode=verify-full",
]
clean = [
    "postgresql://app:${{DB_PASSWORD}}@{h}/app?sslmode=verify-full&sslrootcert=system",
    "mysql://app@{h}:3306/app?ssl-mode=VERIFY_IDENTITY",
    "Server=tcp:{h},1433;Database=app;Encrypt=True",
]
if os.path.exists(root):
    raise SystemExit(0)
for i in range(n):
    d = os.path.join(root, f"svc{i // 100:03d}", f"app{i % 100:02d}")
    os.makedirs(d, exist_ok=True)
    lines = ["# generated for the dblint benchmark (fake credentials)", f"APP_NAME=app{i}", "NODE_ENV=production", "PORT=3000", "LOG_LEVEL=info"]
    lines += [f"FEATURE_{k}=true" for k in range(6)]
    for k in range(rng.randint(2, 3)):
        h = rng.choice(hosts)
        tpl = rng.choice(fixable) if rng.random() < 0.34 else rng.choice(clean)
        lines.append(f'DATABASE_URL_{k}="{tpl.format(h=h, i=i)}"')
    with open(os.path.join(d, ".env"), "w") as f:
        f.write("\n".join(lines) + "\n")
