/** Running a node with the Vert.x launcher and a JSON configuration ({@code -conf}). */
package dev.vxext.launcher;
