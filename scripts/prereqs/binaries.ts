/**
 * Where the prerequisite step looks for the web servers, and where the test fixtures
 * (test/support/web-servers.ts) run them from: the Debian/Ubuntu packages' binaries.
 */

/** nginx (Debian package `nginx`). */
export const NGINX_BIN = '/usr/sbin/nginx';
/** Apache httpd (Debian package `apache2`). */
export const APACHE_BIN = '/usr/sbin/apache2';
/** Apache's shared modules (`LoadModule … <dir>/mod_<name>.so`). */
export const APACHE_MODULES = '/usr/lib/apache2/modules';
