# frozen_string_literal: true

# Debian 12's vagrant-lxc 1.4.3 (with Ruby 3.1 and i18n 1.x) fails in
# Vagrant::LXC::Action::ForwardPorts#forward_ports: it passes the message's values to I18n.t as
# a positional Hash, which Ruby 3 no longer turns into keywords ("wrong number of arguments
# (given 2, expected 0..1)"), so `vagrant up` stops at "Forwarding ports" with no port
# forwarded. This module, prepended to that class, does the same work with the values passed as
# keywords, through the class's own redirect_port and store_redir_pid. It is loaded by the box's
# Vagrantfile (box.Vagrantfile); the installed plugin is not edited, and a plugin without those
# methods (another version) is left alone.
module VowelgraphLxcForwardPorts
  def forward_ports
    @env[:forwarded_ports].each do |fp|
      @env[:ui].info(I18n.t("vagrant.actions.vm.forward_ports.forwarding_entry",
                            adapter: "eth0", guest_port: fp[:guest], host_port: fp[:host]))
      guest_ip = fp[:guest_ip] || @env[:machine].provider.ssh_info[:host]
      store_redir_pid(fp[:host], redirect_port(fp[:host_ip], fp[:host], guest_ip, fp[:guest]))
    end
  end
end

begin
  require "vagrant-lxc/action/forward_ports"
  target = Vagrant::LXC::Action::ForwardPorts
  if target.private_method_defined?(:redirect_port) && target.private_method_defined?(:store_redir_pid) &&
     !(target < VowelgraphLxcForwardPorts)
    target.prepend(VowelgraphLxcForwardPorts)
  end
rescue LoadError
  # vagrant-lxc is not installed: nothing to fix.
end
