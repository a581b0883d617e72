#!/bin/bash
# The MariaDB image's entrypoint: takes the official mysql image's variables (MYSQL_DATABASE,
# MYSQL_USER, MYSQL_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD) and passes its arguments to mariadbd,
# so the containers profile configures it like the public image. The database and user are
# (re)created at every start from an init file, so a changed password applies on restart.
# root logs in only through the socket inside the container (no network password at all),
# which is what MYSQL_RANDOM_ROOT_PASSWORD asks for.
set -euo pipefail

datadir=/var/lib/mysql
run=/run/mysqld

fail() {
  echo "entrypoint: $*" >&2
  exit 1
}

: "${MYSQL_DATABASE:?MYSQL_DATABASE is required}"
: "${MYSQL_USER:?MYSQL_USER is required}"
: "${MYSQL_PASSWORD:?MYSQL_PASSWORD is required}"
# Names become SQL identifiers: only what needs no quoting at all.
[[ $MYSQL_DATABASE =~ ^[A-Za-z0-9_]{1,64}$ ]] || fail "MYSQL_DATABASE must be 1-64 of [A-Za-z0-9_]"
[[ $MYSQL_USER =~ ^[A-Za-z0-9_]{1,32}$ ]] || fail "MYSQL_USER must be 1-32 of [A-Za-z0-9_]"

install -d -o mysql -g mysql -m 0755 "$run"
# A bind mount from the host arrives owned by the host's user.
find "$datadir" -maxdepth 0 \! -user mysql -exec chown -R mysql:mysql {} +
if [[ ! -d $datadir/mysql ]]; then
  echo "entrypoint: initialising $datadir" >&2
  mariadb-install-db --no-defaults --user=mysql --datadir="$datadir" \
    --auth-root-authentication-method=socket --skip-test-db >/dev/null
fi

# A SQL string literal: backslashes and single quotes doubled.
password=${MYSQL_PASSWORD//\\/\\\\}
password=${password//\'/\'\'}
init=$run/init.sql
umask 077
cat >"$init" <<SQL
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'%' IDENTIFIED BY '$password';
ALTER USER '$MYSQL_USER'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%';
SQL
chown mysql:mysql "$init"
unset MYSQL_PASSWORD password

exec mariadbd --no-defaults --user=mysql --datadir="$datadir" --socket="$run/mysqld.sock" \
  --pid-file="$run/mysqld.pid" --bind-address=0.0.0.0 --skip-name-resolve --init-file="$init" "$@"
