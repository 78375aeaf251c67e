/**
 * The decrypt policy: per connection, decrypt, bypass (relay untouched) or block.
 *
 * <p>Pure values in, verdict out: nothing here does I/O on the network or resolves names, so the
 * gateway can call {@link dev.loupe.core.policy.DecryptPolicy#decide} on an event loop. Policies are
 * immutable and replaced as a whole on reload; {@link dev.loupe.core.policy.AutoBypass} is the one
 * stateful part (it learns which hosts refuse interception).
 */
package dev.loupe.core.policy;
