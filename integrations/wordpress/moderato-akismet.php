<?php
/**
 * Plugin Name: Moderato for Akismet
 * Description: Sends the Akismet plugin's API calls to Moderato, at the URL in the constant MODERATO_URL (wp-config.php), instead of rest.akismet.com.
 * Version: 1.0
 *
 * A must-use plugin: copy this one file into wp-content/mu-plugins/ (Debian: /var/lib/wordpress/wp-content/mu-plugins/).
 */

add_filter(
	'pre_http_request',
	function ( $response, $args, $url ) {
		// Akismet names its host in the URL, or in the Host header when it tries the host's addresses one by one.
		$host = strtolower( $args['headers']['Host'] ?? (string) wp_parse_url( $url, PHP_URL_HOST ) );
		if ( false !== $response || ! preg_match( '/(^|\.)rest\.akismet\.com$/', $host ) ) {
			return $response;
		}
		// Without the constant, fail as an unreachable server would: Akismet holds the comment for moderation,
		// and no reader's comment goes to a third party the site meant to leave.
		if ( ! defined( 'MODERATO_URL' ) ) {
			return new WP_Error( 'moderato_url_missing', 'Moderato for Akismet: define MODERATO_URL in wp-config.php.' );
		}
		$query = wp_parse_url( $url, PHP_URL_QUERY );
		// Same method, body, headers and timeout; the Host header is left to the new URL.
		unset( $args['headers']['Host'] );
		return wp_remote_request( untrailingslashit( MODERATO_URL ) . wp_parse_url( $url, PHP_URL_PATH ) . ( $query ? "?$query" : '' ), $args );
	},
	10,
	3
);
