/**
 * The fat jar's command line: {@link dev.vxext.launcher.NodeApplication} (the main class) runs a node with the
 * Vert.x launcher and a JSON configuration ({@code -conf}) with environment and system-property overrides,
 * prints {@code -help} and {@code -version}, and runs a development ZooKeeper ({@code zookeeper}).
 */
package dev.vxext.launcher;
