package dev.backfill.stores;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback port checks shared by the local stores. */
public final class Ports {

  private Ports() {}

  /** A port that was free a moment ago; whoever binds it next may still lose a race. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new StoreStartException("cannot find a free loopback port: " + e.getMessage(), e);
    }
  }

  public static boolean isListening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Refuses to go on when something already listens on the port, naming who needs it. */
  public static void requireFree(int port, String forWhat) {
    if (isListening(port)) {
      throw new StoreStartException(
          "port "
              + port
              + " ("
              + forWhat
              + ") is already in use on 127.0.0.1. Stop what holds it (`ss -ltnp | grep :"
              + port
              + "` shows the process), run `./backfill stores stop` if it is ours, or choose"
              + " other ports.");
    }
  }
}
