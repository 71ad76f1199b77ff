/**
 * Strict reading of the options JSON, shared by the options classes ({@code NodeOptions}, {@code AdminOptions},
 * {@code CronJob}, launchers): unknown keys are refused with the nearest known key, values are checked for
 * their JSON type and, for numbers, for being integers that fit, each error naming the key and where it is.
 * The options classes of every package use it; it depends on nothing else of the library. Internal: its
 * classes may change in any release.
 */
package dev.vxext.config;
