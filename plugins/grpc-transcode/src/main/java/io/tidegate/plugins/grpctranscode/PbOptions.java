package io.tidegate.plugins.grpctranscode;

import java.util.List;
import java.util.TreeSet;

/**
 * How decoded messages become JSON, from {@code pb_option} (lua-protobuf's options, as APISIX
 * applies them: sorted, a later one of a group overriding an earlier one, each group starting at
 * its default).
 */
record PbOptions(boolean enumAsName, Int64 int64, Defaults defaults) {
    enum Int64 { NUMBER, STRING, HEX_STRING }

    enum Defaults { AUTO, NONE, USE, METATABLE }

    static PbOptions of(List<String> options) {
        boolean enumAsName = true;
        Int64 int64 = Int64.NUMBER;
        Defaults defaults = Defaults.AUTO;
        for (String option : new TreeSet<>(options)) {
            switch (option) {
                case "enum_as_name" -> enumAsName = true;
                case "enum_as_value" -> enumAsName = false;
                case "int64_as_number" -> int64 = Int64.NUMBER;
                case "int64_as_string" -> int64 = Int64.STRING;
                case "int64_as_hexstring" -> int64 = Int64.HEX_STRING;
                case "auto_default_values" -> defaults = Defaults.AUTO;
                case "no_default_values" -> defaults = Defaults.NONE;
                case "use_default_values" -> defaults = Defaults.USE;
                case "use_default_metatable" -> defaults = Defaults.METATABLE;
                default -> { }  // enable_hooks / disable_hooks: Lua-only
            }
        }
        return new PbOptions(enumAsName, int64, defaults);
    }
}
