import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

/** The `camel` command of Camel JBang: camel-jbang-core has the CLI but no main method. */
public class CamelLauncher {
    public static void main(String[] args) {
        CamelJBangMain.run(args);
    }
}
