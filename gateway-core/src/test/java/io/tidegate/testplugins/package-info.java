/**
 * Plugins the tests package into jars at run time ({@link io.tidegate.testing.TestPluginJars}) and
 * drop into a gateway's plugin folder. They record what they see in a queue kept in the system
 * properties, the one place both the test's and the plugin's class loaders reach.
 */
package io.tidegate.testplugins;
