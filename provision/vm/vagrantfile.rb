# provision/vm/vagrantfile.rb: load a Vagrantfile with a stand-in for Vagrant's configuration
# API and print, as JSON, what `vagrant up` would act on: the box, hostname, memory and CPUs, the
# forwarded ports, the synced folders and the provisioners in order, their inline scripts with
# Ruby's interpolation already done (the Vagrantfile is real Ruby, evaluated by Ruby).
# Usage: ruby provision/vm/vagrantfile.rb PATH/TO/Vagrantfile
# Anything this stand-in does not know (a provisioner type, an option) is an error, so that a
# Vagrantfile change cannot be skipped silently by provision/check-vm.sh.
require "json"

# Settings objects such as `vb` in `config.vm.provider "virtualbox" do |vb|`: records `x = v`.
class VgSettings
  attr_reader :values

  def initialize
    @values = {}
  end

  def method_missing(name, *args)
    key = name.to_s
    raise NoMethodError, "unsupported provider setting #{key}" unless key.end_with?("=") && args.size == 1

    @values[key.chomp("=")] = args[0]
  end

  def respond_to_missing?(_name, _include_private = false) = true
end

class VgVm
  attr_reader :data

  PROVISION_KEYS = %i[type inline path privileged args env].freeze

  def initialize
    @data = { "forwarded_ports" => [], "private_networks" => [], "synced_folders" => [],
              "providers" => {}, "provisioners" => [] }
  end

  def box=(value)
    @data["box"] = value
  end

  def hostname=(value)
    @data["hostname"] = value
  end

  def network(type, **opts)
    case type
    when "forwarded_port" then @data["forwarded_ports"] << opts.transform_keys(&:to_s)
    when "private_network" then @data["private_networks"] << opts.transform_keys(&:to_s)
    else raise ArgumentError, "unsupported network type #{type}"
    end
  end

  def synced_folder(source, destination, **opts)
    @data["synced_folders"] << { "source" => source, "destination" => destination }
                               .merge(opts.transform_keys(&:to_s))
  end

  def provider(name)
    settings = VgSettings.new
    yield settings if block_given?
    @data["providers"][name] = settings.values
  end

  def provision(name, **opts)
    unknown = opts.keys - PROVISION_KEYS
    raise ArgumentError, "provisioner #{name}: unsupported options #{unknown}" unless unknown.empty?
    raise ArgumentError, "provisioner #{name}: only type: \"shell\" is supported" unless opts[:type].to_s == "shell"
    raise ArgumentError, "provisioner #{name}: inline or path" unless opts.key?(:inline) ^ opts.key?(:path)

    # Vagrant's default: a shell provisioner runs as root unless privileged: false.
    @data["provisioners"] << { "name" => name, "privileged" => opts.fetch(:privileged, true) }
                             .merge(opts.except(:type, :privileged).transform_keys(&:to_s))
  end
end

class VgConfig
  attr_reader :vm

  def initialize
    @vm = VgVm.new
  end
end

module Vagrant
  @configs = []

  class << self
    attr_reader :configs

    def configure(version)
      raise ArgumentError, "Vagrantfile version #{version}, expected 2" unless version.to_s == "2"

      config = VgConfig.new
      yield config
      @configs << config
    end
  end
end

path = ARGV.fetch(0) { abort "usage: ruby vagrantfile.rb PATH/TO/Vagrantfile" }
# Vagrant evaluates the Vagrantfile from its directory.
Dir.chdir(File.dirname(File.expand_path(path))) { load File.expand_path(path) }
abort "#{path}: no Vagrant.configure block" if Vagrant.configs.empty?
puts JSON.pretty_generate(Vagrant.configs.map { |c| c.vm.data }.reduce do |a, b|
  a.merge(b) { |_key, x, y| x.is_a?(Array) ? x + y : y }
end)
