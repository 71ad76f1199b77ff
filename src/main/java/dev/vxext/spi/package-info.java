/** Plug-in points: placement strategies. */
package dev.vxext.spi;
