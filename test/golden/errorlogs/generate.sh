#!/usr/bin/env bash
# Regenerates the real error logs of this folder (nginx.log, apache.log) by running Debian's nginx and
# apache2 as our own processes on loopback ports (127.0.0.1:18080 / :18081, ::1 too), provoking errors
# with curl and raw sockets, and copying their error logs here. Needs root (Apache workers run as
# www-data, nginx workers as nobody) or adjust User/user. Usage: bash test/golden/errorlogs/generate.sh
# Afterwards: UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/golden (and review the diff: pids, times and ports change).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="$(mktemp -d /tmp/errorlogs-gen-XXXXXX)"
chmod 755 "$DIR"
mkdir -p "$DIR/www/noindex" "$DIR/www/deny" "$DIR/tmp" "$DIR/cgi-bin" "$DIR/logs"
echo hello > "$DIR/www/index.html"
echo secret > "$DIR/www/secret.txt"; chmod 000 "$DIR/www/secret.txt"
echo x > "$DIR/www/noindex/file.txt"

# --- a minimal FastCGI responder whose stderr carries newlines, as PHP-FPM's does (nginx logs it raw).
cat > "$DIR/fcgi.cjs" <<'JS'
const net = require('node:net');
const rec = (type, id, body) => { const h = Buffer.alloc(8); h[0] = 1; h[1] = type; h.writeUInt16BE(id, 2); h.writeUInt16BE(body.length, 4); return Buffer.concat([h, body]); };
net.createServer((s) => {
  let buf = Buffer.alloc(0);
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    // Answer once the (empty) FCGI_STDIN end record (type 5, length 0) has arrived.
    for (let i = 0; i + 8 <= buf.length; ) { const type = buf[i + 1], len = buf.readUInt16BE(i + 4), pad = buf[i + 6];
      if (type === 5 && len === 0) {
        const id = buf.readUInt16BE(i + 2);
        const err = 'PHP message: PHP Warning:  Undefined variable $user in /srv/app/index.php on line 12\n' +
          'PHP message: PHP Fatal error:  Uncaught Error: Call to a member function name() on null in /srv/app/index.php:13\n' +
          'Stack trace:\n#0 {main}\n  thrown in /srv/app/index.php on line 13';
        s.end(Buffer.concat([rec(7, id, Buffer.from(err)), rec(6, id, Buffer.from('Status: 500\r\nContent-Type: text/plain\r\n\r\nerror\n')), rec(6, id, Buffer.alloc(0)), rec(3, id, Buffer.alloc(8))]));
        return;
      }
      i += 8 + len + pad; }
  });
}).listen(19000, '127.0.0.1');
JS
node "$DIR/fcgi.cjs" & FCGI=$!

# --- nginx
cat > "$DIR/nginx.conf" <<NGX
worker_processes 1;
error_log $DIR/logs/nginx-error.log info;
pid $DIR/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $DIR/tmp/body; proxy_temp_path $DIR/tmp/proxy; fastcgi_temp_path $DIR/tmp/fastcgi;
  uwsgi_temp_path $DIR/tmp/uwsgi; scgi_temp_path $DIR/tmp/scgi;
  set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For;
  server {
    listen 127.0.0.1:18080; listen [::1]:18080;
    server_name errors.test;
    root $DIR/www;
    location /deny/ { deny all; }
    location /proxy/ { proxy_pass http://127.0.0.1:1/; }
    location /php/ { fastcgi_pass 127.0.0.1:19000; fastcgi_param SCRIPT_FILENAME /srv/app/index.php; }
  }
}
NGX
/usr/sbin/nginx -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;' & NGINX=$!

# --- apache2
cat > "$DIR/httpd.conf" <<APA
ServerRoot $DIR
ServerName errors.test
Listen 127.0.0.1:18081
Listen [::1]:18081
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule remoteip_module /usr/lib/apache2/modules/mod_remoteip.so
LoadModule lua_module /usr/lib/apache2/modules/mod_lua.so
User www-data
Group www-data
PidFile $DIR/httpd.pid
Mutex file:$DIR
ScriptSock $DIR/cgisock
ErrorLog $DIR/logs/apache-error.log
LogLevel info authz_core:debug
TypesConfig /etc/mime.types
DocumentRoot $DIR/www
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1
DirectoryIndex index.html
<Directory $DIR/www>
  Options -Indexes
  Require all granted
</Directory>
<Directory $DIR/www/deny>
  Require all denied
</Directory>
ScriptAlias /cgi-bin/ $DIR/cgi-bin/
<Directory $DIR/cgi-bin>
  Require all granted
</Directory>
ProxyPass /proxy/ http://127.0.0.1:1/
LuaMapHandler ^/lua/ $DIR/handler.lua
APA
cat > "$DIR/cgi-bin/stderr.cgi" <<'PL'
#!/usr/bin/perl
print STDERR "DBD::Pg::db do failed: ERROR:  relation \"users\" does not exist\nLINE 1: SELECT * FROM users\n";
print "Content-Type: text/plain\r\n\r\nok\n";
PL
cat > "$DIR/cgi-bin/badheader.cgi" <<'PL'
#!/usr/bin/perl
print "this is not a header\n\nbody\n";
PL
chmod 755 "$DIR"/cgi-bin/*.cgi
cat > "$DIR/handler.lua" <<'LUA'
function handle(r)
  r:err("payment backend returned:\n  status: 502\n  body: upstream timeout")
  r.content_type = "text/plain"
  r:puts("ok\n")
  return apache2.OK
end
LUA
/usr/sbin/apache2 -d "$DIR" -f "$DIR/httpd.conf" -DFOREGROUND & APACHE=$!

cleanup() {
  kill -QUIT "$NGINX" 2>/dev/null || true
  kill -TERM "$APACHE" 2>/dev/null || true
  kill -TERM "$FCGI" 2>/dev/null || true
  wait "$NGINX" "$APACHE" "$FCGI" 2>/dev/null || true
}
trap cleanup EXIT
for port in 18080 18081; do
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

raw() { # raw PORT TEXT: sends TEXT on a fresh connection and waits for the answer
  node -e "const s=require('net').connect($1,'127.0.0.1',()=>s.write(process.argv[1]));s.on('data',()=>{});s.on('end',()=>s.destroy());s.on('error',()=>{});setTimeout(()=>s.destroy(),2000)" "$2"
}
for port in 18080 18081; do
  B="http://127.0.0.1:$port"
  curl -s -o /dev/null "$B/missing.html"
  curl -s -o /dev/null -e "http://shop.example/cart" "$B/images/logo.png?v=3"
  curl -s -o /dev/null -H 'X-Forwarded-For: 81.2.69.160' "$B/wp-login.php"
  curl -s -o /dev/null -H 'X-Forwarded-For: ::ffff:81.2.69.160' "$B/admin/"
  curl -s -o /dev/null -g "http://[::1]:$port/ipv6-missing"
  curl -s -o /dev/null "$B/noindex/"
  curl -s -o /dev/null "$B/secret.txt"
  curl -s -o /dev/null "$B/deny/x"
  curl -s -o /dev/null "$B/proxy/"
  raw "$port" $'GARBAGE\r\n\r\n'
  raw "$port" $'GET /../../etc/passwd HTTP/1.1\r\nHost: errors.test\r\n\r\n'
done
curl -s -o /dev/null -H 'Host: shop.example' "http://127.0.0.1:18080/php/index.php"
curl -s -o /dev/null "http://127.0.0.1:18081/cgi-bin/stderr.cgi"
curl -s -o /dev/null "http://127.0.0.1:18081/cgi-bin/badheader.cgi"
curl -s -o /dev/null "http://127.0.0.1:18081/lua/pay"
sleep 0.5
cleanup
trap - EXIT
cp "$DIR/logs/nginx-error.log" "$HERE/nginx.log"
cp "$DIR/logs/apache-error.log" "$HERE/apache.log"
echo "wrote $HERE/nginx.log ($(wc -l < "$HERE/nginx.log") lines), $HERE/apache.log ($(wc -l < "$HERE/apache.log") lines); work dir $DIR"
