/**
 * Loupe's pure protocol logic: parsers, policy, certificates and config. Nothing here touches a
 * socket or depends on Netty, so every decision can be unit-tested with values in and values out.
 */
package dev.loupe.core;
