/**
 * Threat-intelligence indicators (malicious URLs, domains, addresses) and the pure parts of loading them:
 * feed parsers (plain lists, CSV, hosts files, DNS RPZ zones, STIX 2.1 bundles, TAXII 2.1 envelopes), the
 * merging of named sources and an immutable {@link dev.loupe.core.intel.IndicatorStore} snapshot that the
 * gateway consults on every connection and request. Fetching feeds over the network is the gateway's job;
 * nothing here opens a socket or resolves a name.
 */
package dev.loupe.core.intel;
