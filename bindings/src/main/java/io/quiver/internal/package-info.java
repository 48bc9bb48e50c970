/** Loading the native library; not part of the API. */
package io.quiver.internal;
